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
-0.09 3711.51834 3667.85064 3755.18603
0.91 3666.01351 3630.75576 3701.27127
1.91 8002.49541 7823.03761 8181.95321
EOD
$d1 << EOD
-0.03 16169.3534 15618.1189 16720.5878
0.97 15986.4806 15720.0882 16252.873
1.97 20477.9418 19941.5777 21014.306
EOD
$d2 << EOD
0.03 1772.57297 1758.71113 1786.43481
1.03 1722.96761 1695.2083 1750.72692
2.03 4356.54905 4294.58727 4418.51083
EOD
$d3 << EOD
0.09 4035.2446 3947.60414 4122.88507
1.09 4425.74592 3937.5788 4913.91304
2.09 7074.94589 6962.34917 7187.54261
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
