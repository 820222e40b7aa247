set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m6_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-large: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 0.978763101 0.934110477 1.02341573
0.97 3.51986622 1.38847789 5.65125454
1.97 1.25299369 1.22663166 1.27935573
EOD
$d1 << EOD
0.03 1.00844704 0.963616814 1.05327727
1.03 1.07687685 1.0250031 1.12875061
2.03 1.24146688 1.10633865 1.37659512
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
