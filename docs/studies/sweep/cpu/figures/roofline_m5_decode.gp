set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m5_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-medium: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 5.34755914 4.3588058 6.33631248
0.97 3.07076446 2.98957448 3.15195444
1.97 4.49282193 3.03924773 5.94639612
EOD
$d1 << EOD
0.03 1.07166601 1.03562463 1.10770738
1.03 1.05217025 0.963862894 1.1404776
2.03 1.42056013 1.36705009 1.47407018
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
