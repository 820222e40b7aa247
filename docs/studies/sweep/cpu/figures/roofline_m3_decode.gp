set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m3_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-52m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 2.74737098 2.28226338 3.21247859
0.97 2.5012786 2.41404061 2.58851658
1.97 3.35096236 2.88490668 3.81701804
EOD
$d1 << EOD
0.03 1.07094907 1.02147704 1.1204211
1.03 1.13510627 1.03839782 1.23181473
2.03 1.58723662 1.47302823 1.70144501
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
