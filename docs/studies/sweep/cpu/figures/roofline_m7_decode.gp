set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m7_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-xl: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.02392689 0.997493538 1.05036023
0.97 1.02828501 0.974150112 1.08241991
1.97 1.85554513 1.68251725 2.028573
EOD
$d1 << EOD
0.03 1.99625354 1.72869414 2.26381295
1.03 3.02093952 2.7918181 3.25006093
2.03 4.02210483 3.83078425 4.2134254
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
