set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'tiny-gpt2: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 88.9161259 -16.6922639 194.524516
0.97 200.345656 177.475827 223.215485
1.97 223.636157 213.264682 234.007633
EOD
$d1 << EOD
0.03 11.5594479 11.4715105 11.6473852
1.03 16.9100866 8.07232624 25.7478469
2.03 28.2526443 27.2219346 29.283354
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
