set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m2_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-18m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.54619295 1.05006773 2.04231818
0.97 2.55627163 2.07059896 3.04194431
1.97 2.6592769 1.4211541 3.89739969
EOD
$d1 << EOD
0.03 2.00679868 1.53646951 2.47712786
1.03 2.50028598 1.86657372 3.13399824
2.03 3.10954263 2.72529198 3.49379329
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
